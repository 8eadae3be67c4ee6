// Runs first on each page (no inline script: a Content-Security-Policy may forbid them). Reads the site's
// jupyter-lite.json, makes its "./…" URLs absolute paths under this site's root (so the site works at a
// host's root or under any sub-path), writes the result where JupyterLab's PageConfig reads it, then
// starts the bundle named by data-main.
const configScript = document.getElementById('jupyter-config-data');
const me = document.querySelector('script[data-main]');
const siteRoot = new URL(configScript.dataset.jupyterLiteRoot.replace(/\/?$/, '/'), new URL('.', location.href));

function absolute(value) {
  return new URL(value.slice(2), siteRoot).pathname.replace(/\/$/, '') || '/';
}

async function main() {
  const response = await fetch(new URL('jupyter-lite.json', siteRoot));
  const site = (await response.json())['jupyter-config-data'] ?? {};
  const config = { ...site, ...JSON.parse(configScript.textContent || '{}') };
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('Url') && typeof value === 'string' && value.startsWith('./')) config[key] = absolute(value);
  }
  // baseUrl keeps its trailing slash (PageConfig joins paths onto it)
  config.baseUrl = siteRoot.pathname;
  configScript.textContent = JSON.stringify(config);
  await import(new URL(me.dataset.main, location.href).href);
}

main().catch((e) => {
  const box = document.getElementById('nabla-lite-loading');
  if (box) box.textContent = `The lab could not start: ${e.message}`;
  throw e;
});
