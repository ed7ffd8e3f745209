import 'colloquy/styles.css';
import './globals.css';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'colloquy · Next.js example',
  description: 'The colloquy chat kit on Next.js App Router route handlers and a server action.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="example-header">
          <strong>colloquy</strong>
          <nav aria-label="Examples">
            <Link href="/">Streaming (route handler)</Link>
            <Link href="/action">Server action</Link>
            <Link href="/history">With history</Link>
          </nav>
        </header>
        <main className="example-main">{children}</main>
      </body>
    </html>
  );
}
