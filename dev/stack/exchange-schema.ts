// How the test domain's template gets the Exchange recipient attributes the relay writes (exchange-schema.ldif),
// so that scenarios with `exchangeSchema: true` run against an Exchange-prepared schema, as in production.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Applies an LDIF to the never-started template's database with Samba's own Python bindings (those samba-tool
 *  runs on), allowing schema changes for this run only as `samba-tool domain schemaupgrade` does; relax:0 lets
 *  the attributeSchema objects carry Exchange's own OIDs and GUIDs. (schemaupgrade itself needs python3-markdown
 *  even for a single file, which a Samba install does not bring.) */
const APPLY_SCHEMA_LDIF = `
import sys
import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB
lp = LoadParm()
lp.load(sys.argv[1])
lp.set("dsdb:schema update allowed", "yes")
db = SamDB(url=sys.argv[2], session_info=system_session(), lp=lp)
ldif = open(sys.argv[3]).read().replace("\${SCHEMA_DN}", str(db.get_schema_basedn()))
# No transaction: a failed run leaves a half-extended template directory that the caller removes.
for record in ldif.split("\\n\\n"):
    if not any(line and not line.startswith("#") for line in record.splitlines()):
        continue
    try:
        db.modify_ldif(record, controls=["relax:0"])
    except ldb.LdbError as e:
        # an attribute added just before is not in the loaded schema yet: reload it, then retry
        if e.args[0] != ldb.ERR_INVALID_ATTRIBUTE_SYNTAX:
            raise
        db.set_schema_update_now()
        db.modify_ldif(record, controls=["relax:0"])
print("schema extended")
`;

/** The interpreter samba-tool itself runs with (its #! line), which has the samba modules. */
async function sambaPython(sambaTool: string): Promise<string> {
  const firstLine = (await readFile(sambaTool, 'utf8')).split('\n', 1)[0] ?? '';
  const interpreter = firstLine.startsWith('#!') ? firstLine.slice(2).trim().split(/\s+/)[0] : undefined;
  return interpreter ?? 'python3';
}

/** The command that adds the Exchange recipient attributes (exchange-schema.ldif) to a never-started
 *  provisioned domain in targetDir. */
export async function exchangeSchemaCommand(sambaTool: string, targetDir: string): Promise<{ file: string; args: string[] }> {
  const ldif = fileURLToPath(new URL('./exchange-schema.ldif', import.meta.url));
  return {
    file: await sambaPython(sambaTool),
    args: ['-c', APPLY_SCHEMA_LDIF, path.join(targetDir, 'etc', 'smb.conf'), path.join(targetDir, 'private', 'sam.ldb'), ldif],
  };
}
