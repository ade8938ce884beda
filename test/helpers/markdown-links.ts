/**
 * Relative links and #anchors in Markdown files, resolved the way GitHub renders them: a link to a
 * file must name one that exists, and an anchor must be a heading of the file it points into.
 */
import fs from 'node:fs';
import path from 'node:path';
import { slug } from '../../src/cli/reference.ts';

/** Fenced blocks and inline code spans hold no links (a ``[x](y)`` in code is text). */
function withoutCode(markdown: string): string {
  return markdown.replace(/^ *(```|~~~)[\s\S]*?^ *\1[^\n]*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** The anchors GitHub gives the file's headings; repeated headings get -1, -2, …. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^ *(```|~~~)/.test(line)) inFence = !inFence;
    const heading = !inFence && line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
    if (!heading) continue;
    const base = slug(heading[1]!.replace(/<[^>]+>/g, ''));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every broken relative link in `file`, as `file: link (why)`. */
export function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const match of withoutCode(fs.readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const link = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: … are not ours to check
    const [target, anchor] = link.split('#') as [string, string | undefined];
    const resolved = target ? path.resolve(path.dirname(file), decodeURIComponent(target)) : file;
    if (!fs.existsSync(resolved)) {
      broken.push(`${file}: ${link} (no such file)`);
    } else if (
      anchor !== undefined &&
      resolved.endsWith('.md') &&
      !headingAnchors(fs.readFileSync(resolved, 'utf8')).has(anchor)
    ) {
      broken.push(`${file}: ${link} (no heading #${anchor} in ${path.basename(resolved)})`);
    }
  }
  return broken;
}

/** The project's user and contributor documentation. */
export function documentationFiles(root: string): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(root, 'docs', name));
  return [
    path.join(root, 'README.md'),
    path.join(root, 'CONTRIBUTING.md'),
    path.join(root, 'bench', 'README.md'),
    ...docs.sort(),
  ];
}
