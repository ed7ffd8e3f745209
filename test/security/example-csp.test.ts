import { describe, expect, it } from 'vitest';

/** The part of the example's Next.js config this test reads. */
interface ExampleConfig {
  headers?: () => Promise<Array<{ source: string; headers: Array<{ key: string; value: string }> }>>;
}

/**
 * Loaded by URL, not a static import: the config's `import type` of 'next' would make the kit's typecheck need the
 * example's own node_modules, which a fresh clone does not have (the type import is erased at run time).
 */
async function loadExampleConfig(): Promise<ExampleConfig> {
  const url = new URL('../../examples/next-app/next.config.ts', import.meta.url).href;
  const module = (await import(/* @vite-ignore */ url)) as { default: ExampleConfig };
  return module.default;
}

// The example app is the deployment users copy. Markdown already refuses remote images; the page's CSP is the second
// wall: even markup that slipped past the renderer cannot load an image from another origin.

/** The example's Content-Security-Policy for its pages, as directive name → sources. */
async function pageCsp(): Promise<Map<string, string[]>> {
  const nextConfig = await loadExampleConfig();
  const rules = (await nextConfig.headers?.()) ?? [];
  const pages = rules.find((rule) => rule.source === '/((?!api/).*)');
  const value = pages?.headers.find((header) => header.key.toLowerCase() === 'content-security-policy')?.value ?? '';
  return new Map(
    value
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = '', ...sources]) => [name.toLowerCase(), sources]),
  );
}

describe('examples/next-app Content-Security-Policy', () => {
  it("allows images only from the page's own origin, data: and blob:", async () => {
    const csp = await pageCsp();
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });

  it('has no directive that would load from another origin instead (default-src, connect-src)', async () => {
    const csp = await pageCsp();
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });
});
