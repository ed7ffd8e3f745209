import { ChatStreaming } from 'colloquy';

export default function StreamingPage() {
  return (
    <ChatStreaming
      url="/api/chat/stream"
      title="Assistant"
      welcomeMessage="Ask me anything. Answers stream from app/api/chat/stream/route.ts."
      starterPrompts={['What can you do?', 'Explain server-sent events in two sentences.']}
    />
  );
}
