// The lab app's start-up, as upstream JupyterLite's index.template.js does it, without module federation:
// every plugin is bundled (the list comes from lite/package.json's "jupyterlab" field through the build's
// virtual module 'nabla-lite:plugins'), the in-browser service manager of @jupyterlite/services-extension
// replaces the server's, and Nabla's own plugins (plugin.ts) join them.
import { JupyterLab, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IServiceManager } from '@jupyterlab/services';
import { PluginRegistry } from '@lumino/coreutils';
import { disabled, extensions, mimeExtensions } from 'nabla-lite:plugins';
import nablaPlugins from './plugin';
import './style.css';

type Plugin = JupyterFrontEndPlugin<unknown>;
type Module = Plugin | Plugin[];

/** The active plugins of one extension module (ES module or CommonJS, one plugin or a list). */
function pluginsOf(mod: unknown): Plugin[] {
  const exported = (mod as { default?: unknown }).default ?? (mod as Module);
  const plugins = (Array.isArray(exported) ? exported : [exported]) as Plugin[];
  return plugins.filter(
    (p) => !PageConfig.Extension.isDisabled(p.id) && !disabled.includes(p.id) && !disabled.includes(p.id.split(':')[0]),
  );
}

async function main(): Promise<void> {
  const mime = mimeExtensions.flatMap(pluginsOf);
  const plugins = [...extensions.flatMap(pluginsOf), ...(nablaPlugins as Plugin[])];
  const registry = new PluginRegistry();
  registry.registerPlugins(plugins);
  const serviceManager = await registry.resolveRequiredService(IServiceManager);
  const app = new JupyterLab({
    pluginRegistry: registry,
    mimeExtensions: mime as never,
    serviceManager,
    availablePlugins: plugins.map((p) => ({ ...p, extension: p.id.split(':')[0] })) as never,
  });
  // tests and the curious reach the app as in upstream's exposeAppInBrowser
  if ((PageConfig.getOption('exposeAppInBrowser') || '').toLowerCase() === 'true')
    (window as unknown as { jupyterapp: JupyterLab }).jupyterapp = app;
  await app.start({ bubblingKeydown: true });
  await app.restored;
  document.getElementById('nabla-lite-loading')?.remove();
}

void main().catch((e: Error) => {
  const box = document.getElementById('nabla-lite-loading');
  if (box) box.textContent = `The lab could not start: ${e.message}`;
  throw e;
});
