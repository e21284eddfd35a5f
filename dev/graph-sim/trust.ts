// Trust for the simulator's self-signed certificate in this process: the Graph client only treats https
// URLs as Graph (bearer token, absolute nextLinks), so the local stack talks to the simulator over https.
import tls from 'node:tls';

const trusted = new Set<string>();

/** Adds the simulator's certificate to this process's default CA list (fetch uses it). */
export function trustSimulatorCertificate(caPem: string): void {
  if (trusted.has(caPem)) return;
  trusted.add(caPem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), caPem]);
}
