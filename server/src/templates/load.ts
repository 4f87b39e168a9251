// The gallery's ready bundles: JSON files under server/templates, read and checked once.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTemplateSchema, type BundleTemplate } from '@bundles/shared';

export const templatesDir = fileURLToPath(new URL('../../templates', import.meta.url));

/** Every template file in the directory, by id; a file that is no template throws with its name. */
export function loadTemplates(dir = templatesDir): BundleTemplate[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const seen = new Set<string>();
  return files.map((file) => {
    const parsed = bundleTemplateSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`template ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const t = parsed.data;
    if (`${t.id}.json` !== file) throw new Error(`template ${file}: its id is "${t.id}"; name the file after it`);
    if (seen.has(t.id)) throw new Error(`template ${file}: id "${t.id}" twice`);
    seen.add(t.id);
    return t;
  });
}
