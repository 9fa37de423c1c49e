/** Small self-contained HTML pages for the browser side of the connect flow. */
export function page(options: { title: string; body: string; ok: boolean }): string {
  const accent = options.ok ? '#2da44e' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(options.title)} · Threshold</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#1e1f22;color:#f2f3f5;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{max-width:32rem;padding:2rem;background:#2b2d31;border-radius:12px;border-top:4px solid ${accent}}
h1{font-size:1.4rem;margin-top:0}p{line-height:1.5;color:#dbdee1}
footer{margin-top:2rem;font-size:.8rem;color:#949ba4}
footer strong{color:#fc4c02}
</style></head>
<body><main><h1>${escapeHtml(options.title)}</h1>${options.body}
<footer>Activity data <strong>Powered by Strava</strong>.</footer></main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
