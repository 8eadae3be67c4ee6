// build/third-party-licenses.json (JupyterLab's Help → Licenses, through @jupyterlite/apputils): every npm
// package with a file in the site's bundles, found from esbuild's list of inputs, with its license text.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

export interface LicensedPackage {
  name: string;
  versionInfo: string;
  licenseId: string;
  extractedText: string;
}

/** The package folder holding `file` (the nearest folder under a node_modules with a package.json). */
function packageDirOf(file: string): string | null {
  const marker = `${sep}node_modules${sep}`;
  const i = file.lastIndexOf(marker);
  if (i < 0) return null;
  const rest = file.slice(i + marker.length).split(sep);
  const depth = rest[0].startsWith('@') ? 2 : 1;
  return file.slice(0, i + marker.length) + rest.slice(0, depth).join(sep);
}

function licenseText(dir: string): string {
  const f = readdirSync(dir).find((n) => /^(licen[cs]e|copying)(\.|$)/i.test(n));
  return f ? readFileSync(join(dir, f), 'utf8') : '';
}

export function licensesOf(inputs: string[]): { packages: LicensedPackage[] } {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const d = packageDirOf(input);
    if (d && existsSync(join(d, 'package.json'))) dirs.add(d);
  }
  const packages = [...dirs].map((d) => {
    const p = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
      license?: unknown;
    };
    const licenseId =
      typeof p.license === 'string' ? p.license : ((p.license as { type?: string } | undefined)?.type ?? '');
    return { name: p.name ?? dirname(d), versionInfo: p.version ?? '', licenseId, extractedText: licenseText(d) };
  });
  // one entry per name and version (a package may sit in more than one node_modules)
  const seen = new Map(packages.map((p) => [`${p.name}@${p.versionInfo}`, p]));
  return { packages: [...seen.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}
