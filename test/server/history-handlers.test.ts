import { afterAll } from 'vitest';
import { describeHistoryEndpoints } from './history-endpoints.contract.js';
import { describeHistorySend } from './history-send.contract.js';
import { describeHistoryStop, latencyReport } from './history-stop.contract.js';
import { describeEachStore } from './history-support.js';
import { setupOpenAIServer } from './support.js';

// Every behaviour of the history endpoints, on the memory store and on the SQL store (one PGlite for the file).
const server = setupOpenAIServer();

describeEachStore((fixture) => {
  describeHistoryEndpoints(fixture, server);
  describeHistorySend(fixture, server);
  describeHistoryStop(fixture, server);
});

afterAll(() => {
  console.info(latencyReport());
});
