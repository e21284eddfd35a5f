// TableFilter -> OData filter text. Values go through @azure/data-tables' odata`` template (quotes
// doubled, dates as datetime'...'); property names are checked against a strict pattern first.
import { odata } from '@azure/data-tables';
import type { TableFilter } from '../../ports/table-store.js';
import { checkFilter, isInt32 } from './limits.js';

function comparison(property: string, op: string, value: string | number | boolean | Date): string {
  const prefix = `${property} ${op} `;
  // A double literal for numbers outside Int32, so the service does not read them as Int32.
  if (typeof value === 'number' && !isInt32(value) && Number.isInteger(value) && !/e/i.test(String(value))) {
    return `${prefix}${value}.0`;
  }
  // Called as a tag with a non-empty text before the value, so odata`` quotes strings.
  const strings = Object.assign([prefix, ''], { raw: [prefix, ''] }) as TemplateStringsArray;
  return odata(strings, value);
}

function render(filter: TableFilter): string {
  if (filter.kind === 'compare') return comparison(filter.property, filter.op, filter.value);
  const parts = filter.filters.map(render);
  return parts.length === 1 ? parts[0]! : parts.map((part) => `(${part})`).join(` ${filter.kind} `);
}

export function toODataFilter(filter: TableFilter): string {
  checkFilter(filter);
  return render(filter);
}
