// What a command works with: the terminal, whether --json was asked for, and the two services it may call,
// built on first use from the global options and the environment (so --help and usage errors need neither).
import { AdminApi } from './api/admin-api.js';
import { UsageError, stringOption, type CommandLine } from './command-line.js';
import { DEFAULT_GRAPH_URL, GraphGroups } from './graph-groups.js';
import { adminTokenRequest, graphTokenRequest, tokenSource } from './sign-in.js';
import type { Terminal } from './terminal.js';

export interface CommandContext {
  term: Terminal;
  json: boolean;
  api(): AdminApi;
  graph(): GraphGroups;
  /** Prints a value as the command's JSON output. */
  printJson(value: unknown): void;
}

export function commandContext(term: Terminal, line: CommandLine, usage: string): CommandContext {
  const setting = (option: string, env: string): string | undefined => {
    const v = stringOption(line, option) ?? term.env[env];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const tenantId = setting('tenant', 'GWB_TENANT');
  let api: AdminApi | undefined;
  let graph: GraphGroups | undefined;
  return {
    term,
    json: line.values['json'] === true,
    api() {
      const url = setting('url', 'GWB_URL');
      if (url === undefined) throw new UsageError('the admin API is not named: give --url or set GWB_URL (the Function App, https://<app>.azurewebsites.net)', usage);
      if (!URL.canParse(url)) throw new UsageError(`--url (GWB_URL) is not a URL: ${url}`, usage);
      const audience = setting('audience', 'GWB_AUDIENCE');
      if (audience === undefined && term.env['GWB_TOKEN'] === undefined) {
        throw new UsageError("cannot sign in without the admin API's Application ID URI: give --audience or set GWB_AUDIENCE (or set GWB_TOKEN)", usage);
      }
      // With GWB_TOKEN set the audience is never asked for: the token is used as given.
      return (api ??= new AdminApi(url, tokenSource(term, adminTokenRequest(audience ?? '', tenantId))));
    },
    graph() {
      const url = term.env['GWB_GRAPH_URL'] ?? DEFAULT_GRAPH_URL;
      return (graph ??= new GraphGroups(url, tokenSource(term, graphTokenRequest(url, tenantId))));
    },
    printJson: (value) => term.out(JSON.stringify(value, null, 2)),
  };
}
