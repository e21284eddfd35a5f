// Function route templates as the Functions host reads them (ASP.NET-style, case-insensitive literals):
// `status/{groupId?}`, `items/{id:guid}`, `files/{*path}`. Constraints are accepted and ignored except
// that the value must be non-empty; parameters are URL-decoded.

export interface CompiledRoute {
  template: string;
  match(path: string): Record<string, string> | null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileRoute(template: string): CompiledRoute {
  const names: string[] = [];
  let pattern = '';
  const segments = template.replace(/^\/+|\/+$/g, '').split('/');
  segments.forEach((segment, i) => {
    const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
    const sep = i === 0 ? '' : '/';
    if (param === null) {
      if (segment.includes('{')) throw new Error(`route '${template}': unsupported segment '${segment}'`);
      pattern += sep + escapeRegex(segment);
      return;
    }
    names.push(param[2]!);
    const body = param[1] === '*' ? '(.*)' : '([^/]+)';
    pattern += param[3] === '?' || param[1] === '*' ? `(?:${sep}${body})?` : sep + body;
  });
  const regex = new RegExp(`^${pattern}/?$`, 'i');
  return {
    template,
    match(path) {
      const m = regex.exec(path.replace(/^\/+/, ''));
      if (m === null) return null;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        const raw = m[i + 1];
        if (raw !== undefined) params[name] = decodeURIComponent(raw);
      });
      return params;
    },
  };
}
