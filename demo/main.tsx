import '../src/styles.css';
import './demo.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Demo } from './demo.js';

// Set by the dev server (chat-api-plugin.ts): which upstream answers. The page itself lives in demo.tsx, a React
// Refresh boundary, so an edit under src/ updates it in place instead of re-running this file.
const upstream = document.querySelector<HTMLMetaElement>('meta[name="colloquy-upstream"]')?.content ?? 'the dev server';

const root = document.getElementById('root');
if (root === null) throw new TypeError('demo/index.html needs a #root element.');
createRoot(root).render(
  <StrictMode>
    <Demo upstream={upstream} />
  </StrictMode>,
);
