// Starts the Portkey gateway (`@portkey-ai/gateway`, the AI bench's peer) on Node 20. Portkey 1.15.2 adds
// its x-portkey-* headers to the provider's fetch Response, whose headers are immutable under Node's
// fetch, so every streamed request fails with "TypeError: immutable" (Portkey-AI/gateway#1389, #1550).
// Their fix (#1551) re-wraps the response before touching its headers; this does the same at the fetch
// boundary: same body stream (no copy), same status and headers, mutable. Arguments pass through.
const nativeFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await nativeFetch(...args);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
  });
};
await import('@portkey-ai/gateway/build/start-server.js');
