import { ChatStreaming, ChatWithHistory } from 'colloquy';
import { useEffect, useState } from 'react';

type Tab = 'streaming' | 'history';

function tabOf(hash: string): Tab {
  return hash === '#history' ? 'history' : 'streaming';
}

const starterPrompts = ['What can you do?', 'Show me some markdown', 'Give me a long answer'];
const welcomeMessage = 'Ask me anything. Ask for “markdown” or a “long” answer to see the emulation’s richer replies.';

/** The demo page: the streaming chat, or the chat with history (`#history`), on the dev server's endpoints. */
export function Demo({ upstream }: { upstream: string }) {
  const [tab, setTab] = useState(() => tabOf(location.hash));
  useEffect(() => {
    const onHashChange = () => setTab(tabOf(location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  return (
    <div className={tab === 'history' ? 'demo demo-wide' : 'demo'}>
      <header className="demo-header">
        <strong>colloquy demo</strong>
        <nav aria-label="Compositions">
          <a href="#streaming" aria-current={tab === 'streaming' ? 'page' : undefined}>
            ChatStreaming
          </a>
          <a href="#history" aria-current={tab === 'history' ? 'page' : undefined}>
            ChatWithHistory
          </a>
        </nav>
        <span>answered by {upstream}</span>
      </header>
      <div className="demo-chat">
        {tab === 'history' ? (
          <ChatWithHistory baseUrl="/api" title="Assistant" welcomeMessage={welcomeMessage} starterPrompts={starterPrompts} />
        ) : (
          <ChatStreaming url="/api/chat/stream" title="Assistant" welcomeMessage={welcomeMessage} starterPrompts={starterPrompts} />
        )}
      </div>
    </div>
  );
}
