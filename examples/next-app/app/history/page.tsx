import { ChatWithHistory } from 'colloquy';

export default function HistoryPage() {
  return (
    <ChatWithHistory
      baseUrl="/api"
      title="Assistant"
      welcomeMessage="Conversations are kept by app/api/conversations/[[...path]]/route.ts, for this browser."
      starterPrompts={['What can you do?']}
    />
  );
}
