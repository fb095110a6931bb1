/** Renders the files under stack/templates: `{{name}}` placeholders, nothing else. */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TEMPLATES_DIR } from './settings.js';

export type TemplateValues = Readonly<Record<string, string | number>>;

export function renderTemplate(text: string, values: TemplateValues, name = 'template'): string {
  const missing = new Set<string>();
  const rendered = text.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) {
      missing.add(key);
      return '';
    }
    return String(value);
  });
  if (missing.size > 0) {
    throw new Error(`${name}: no value for ${[...missing].map((k) => `{{${k}}}`).join(', ')}`);
  }
  return rendered;
}

/** Renders `stack/templates/<template>` into `target`. */
export function writeFromTemplate(template: string, target: string, values: TemplateValues): void {
  const text = readFileSync(path.join(TEMPLATES_DIR, template), 'utf8');
  writeFileSync(target, renderTemplate(text, values, template));
}
