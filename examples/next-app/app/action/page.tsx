import { ChatServerAction } from 'colloquy';
import { chatAction } from '../actions';

export default function ServerActionPage() {
  return (
    <ChatServerAction
      action={chatAction}
      title="Assistant (server action)"
      welcomeMessage="Each answer comes whole from the chatAction server action in app/actions.ts."
      starterPrompts={['What can you do?']}
    />
  );
}
