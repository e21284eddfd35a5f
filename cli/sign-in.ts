// The admin signs in as themselves (docs/admin.md, "Sign-in"): the Azure CLI's account first (`az login`),
// then a device code printed to stderr when a person is at the terminal. A token in the environment skips
// both (GWB_TOKEN for the admin API, GWB_GRAPH_TOKEN for Graph): scripts, and the local stack, whose tokens
// the Graph simulator mints. One token per run, asked for when the first call needs it.
import { CliError } from './command-line.js';
import type { Terminal } from './terminal.js';

/** What to ask Entra for: the Azure CLI takes a resource (`<resource>/.default`), a device-code sign-in
 *  the delegated scopes themselves. */
export interface TokenRequest {
  /** Names the token in messages: "the admin API", "Microsoft Graph". */
  what: string;
  /** The variable that carries a ready token. */
  env: 'GWB_TOKEN' | 'GWB_GRAPH_TOKEN';
  cliScope: string;
  deviceCodeScope: string;
  tenantId: string | undefined;
}

export function tokenSource(term: Terminal, request: TokenRequest): () => Promise<string> {
  let token: Promise<string> | undefined;
  return () => (token ??= signIn(term, request));
}

async function signIn(term: Terminal, r: TokenRequest): Promise<string> {
  const given = term.env[r.env];
  if (given !== undefined) {
    if (given.trim() === '') throw new CliError(`${r.env} is set but empty: set it to a token for ${r.what}, or unset it to sign in`);
    return given.trim();
  }
  // Loaded only when needed: a run with a token in the environment starts faster without it.
  const { AzureCliCredential, DeviceCodeCredential } = await import('@azure/identity');
  const tenant = r.tenantId !== undefined ? { tenantId: r.tenantId } : {};
  let cliProblem: string;
  try {
    return (await new AzureCliCredential(tenant).getToken(r.cliScope)).token;
  } catch (error) {
    cliProblem = firstLine(error);
  }
  if (!term.interactive) {
    throw new CliError(`not signed in to ${r.what}: the Azure CLI gave no token (${cliProblem}) and a device-code sign-in needs a terminal; run \`az login\` or set ${r.env}`);
  }
  term.err(`the Azure CLI gave no token for ${r.what} (${cliProblem}); signing in with a device code instead`);
  try {
    const credential = new DeviceCodeCredential({ ...tenant, userPromptCallback: (info) => term.err(info.message) });
    return (await credential.getToken(r.deviceCodeScope)).token;
  } catch (error) {
    throw new CliError(`not signed in to ${r.what}: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? text;
}

/** The admin API: an access token for its app registration, with the admin's app role in it. */
export function adminTokenRequest(audience: string, tenantId: string | undefined): TokenRequest {
  const scope = `${audience.replace(/\/+$/, '')}/.default`;
  return { what: 'the admin API', env: 'GWB_TOKEN', cliScope: scope, deviceCodeScope: scope, tenantId };
}

/** Microsoft Graph, delegated: the admin's own right to change groups (Group.ReadWrite.All). */
export function graphTokenRequest(graphUrl: string, tenantId: string | undefined): TokenRequest {
  const resource = new URL(graphUrl).origin;
  return { what: 'Microsoft Graph', env: 'GWB_GRAPH_TOKEN', cliScope: `${resource}/.default`, deviceCodeScope: `${resource}/Group.ReadWrite.All`, tenantId };
}
