// The site's pages and its jupyter-lite.json. No inline script (a Content-Security-Policy may forbid them):
// src/config-loader.js turns the relative URLs of jupyter-lite.json into this site's, wherever it is served
// (a host's root or any sub-path), then starts the bundle.

/** jupyter-lite.json: PageConfig options; a "./…" value of a key ending in Url is relative to the site root. */
export function siteConfig(version: string): Record<string, unknown> {
  return {
    'jupyter-lite-schema-version': 0,
    'jupyter-config-data': {
      appName: 'Nabla',
      appVersion: version,
      appUrl: './lab',
      baseUrl: './',
      defaultKernelName: 'nabla',
      fullStaticUrl: './build',
      fullLabextensionsUrl: './extensions',
      settingsUrl: './build/schemas',
      // joined with baseUrl by JupyterLab itself
      themesUrl: 'build/themes',
      licensesUrl: 'lab/api/licenses',
      contentsAllJsonFile: 'all.json',
      federated_extensions: [],
      exposeAppInBrowser: 'true',
      mode: 'multiple-document',
      fileTypes: {
        nabla: { name: 'nabla', extensions: ['.nabla'], mimeTypes: ['text/x-nabla'], fileFormat: 'text' },
      },
      settingsOverrides: {
        '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
      },
    },
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function rootPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=lab/index.html"><title>Nabla</title></head>
<body><p><a href="lab/index.html">JupyterLab with the Nabla kernel</a></p></body>
</html>
`;
}

export function labPage(o: { script: string; css: string | null }): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Nabla · JupyterLab</title>
  <link rel="icon" href="../build/logos/nabla-32x32.png">
${o.css ? `  <link rel="stylesheet" href="${escape(o.css)}">\n` : ''}  <script id="jupyter-config-data" type="application/json" data-jupyter-lite-root="..">{}</script>
  <script type="module" src="../config-loader.js" data-main="${escape(o.script)}"></script>
</head>
<body class="jp-ThemedContainer">
  <div id="nabla-lite-loading" style="font: 16px sans-serif; padding: 2em">Loading JupyterLab with the Nabla kernel …</div>
  <noscript>JupyterLab needs JavaScript.</noscript>
</body>
</html>
`;
}
