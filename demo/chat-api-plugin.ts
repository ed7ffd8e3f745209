import type { Plugin, ViteDevServer } from 'vite';
import { sendWebResponse, toWebRequest } from './node-http.js';

/** What demo/server.ts exports. */
interface DemoServerModule {
  routes: Record<string, Record<string, RouteHandler>>;
  prefixRoutes: Record<string, RouteHandler>;
  upstream: string;
}

type RouteHandler = (request: Request) => Promise<Response>;

/** The handler for a path and method, or the status to answer when there is none (404, or 405 with `Allow`). */
function findHandler(module: DemoServerModule, pathname: string, method: string): RouteHandler | { status: 404 } | { status: 405; allow: string } {
  const route = module.routes[pathname];
  if (route !== undefined) return route[method] ?? { status: 405, allow: Object.keys(route).join(', ') };
  const prefix = Object.keys(module.prefixRoutes).find((path) => pathname === path || pathname.startsWith(`${path}/`));
  return (prefix === undefined ? undefined : module.prefixRoutes[prefix]) ?? { status: 404 };
}

const SERVER_MODULE = '/server.ts';

function loadServer(server: ViteDevServer): Promise<DemoServerModule> {
  // Through Vite, so `colloquy/server` is the source under src/ and an edit there applies on the next request.
  return server.ssrLoadModule(SERVER_MODULE) as Promise<DemoServerModule>;
}

/**
 * Mounts the kit's web-standard handlers from demo/server.ts on the dev server (`/api/chat`, `/api/chat/stream`,
 * `/api/conversations/…`), converting Node's request and response at the edge, and names the upstream (OpenAI or
 * its emulation) in the page.
 */
export function chatApi(): Plugin {
  return {
    name: 'colloquy-demo-chat-api',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.originalUrl ?? req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
        if (!url.pathname.startsWith('/api/')) return next();
        loadServer(server)
          .then(async (module) => {
            const handler = findHandler(module, url.pathname, req.method ?? 'GET');
            if (typeof handler !== 'function') {
              res.statusCode = handler.status;
              if (handler.status === 405) res.setHeader('Allow', handler.allow);
              res.end();
              return;
            }
            await sendWebResponse(await handler(toWebRequest(req, res, url)), res);
          })
          .catch(next);
      });
      server.httpServer?.once('listening', () => {
        loadServer(server)
          .then(({ upstream }) => server.config.logger.info(`  colloquy demo: /api/chat, /api/chat/stream and /api/conversations answer from ${upstream}`))
          .catch((error: unknown) => server.config.logger.error(`  colloquy demo: demo/server.ts failed to load: ${String(error)}`));
      });
    },
    async transformIndexHtml(html, context) {
      if (context.server === undefined) return html;
      const { upstream } = await loadServer(context.server);
      return html.replace('%COLLOQUY_UPSTREAM%', upstream.replace(/[<>&"]/g, ''));
    },
  };
}
