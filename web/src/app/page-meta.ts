/** Values the server writes into index.html per response (src/web/serve.ts). */
function meta(name: string): string {
  const value = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
  // Under `vite` (dev server) the placeholders are not replaced.
  return value.startsWith('__PLATFORM_') ? '' : value;
}

/** The nonce the Content-Security-Policy allows on the UI library's `<style>` elements. */
export const cspNonce = (): string => meta('csp-nonce');

/** AUTH_PUBLISHABLE_KEY (public by design), sent by supabase-js as `apikey`. */
export const publishableKey = (): string => meta('platform-publishable-key');
