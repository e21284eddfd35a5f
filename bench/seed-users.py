# Bulk creation of the benchmarks' synced users straight into a local Samba DC's sam.ldb (run by
# bench/seed-users.ts with the Python that samba-tool uses). Every add goes through Samba's own module stack
# (samldb allocates the RID and objectSid from the DC's RID pool, repl_meta_data the metadata), as an LDAP add
# would, but in large transactions and in ldb's batch mode: without it ldb copies the growing objectClass and
# objectCategory index lists for every single add, which makes each add slower the more users there are. Safe
# next to the running DC: tdb transactions serialise writers across processes (Samba's prefork model relies
# on it). Users already present are skipped. Progress, every user of the set with its SID, and the result are
# JSON lines on stdout.
#   seed-users.py SMB_CONF USERS_OU PREFIX WIDTH COUNT PER_TRANSACTION
import json
import sys
import time

import ldb
from samba.dcerpc import security
from samba.ndr import ndr_unpack
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB


def ensure_ou(db, dn):
    try:
        db.add({'dn': dn, 'objectClass': 'organizationalUnit'})
    except ldb.LdbError as error:
        if error.args[0] != ldb.ERR_ENTRY_ALREADY_EXISTS:
            raise


def main():
    conf, users_ou, prefix, width, count, per_transaction = sys.argv[1:7]
    width, count, per_transaction = int(width), int(count), int(per_transaction)
    lp = LoadParm()
    lp.load(conf)
    db = SamDB(url=lp.private_path('sam.ldb'), session_info=system_session(), lp=lp, options=['batch_mode:1'])
    # The OU chain down to the users' OU (parents first).
    parts = users_ou.split(',')
    base = str(db.domain_dn())
    ou_parts = parts[: len(parts) - len(base.split(','))]
    for i in range(len(ou_parts) - 1, -1, -1):
        ensure_ou(db, ','.join(ou_parts[i:] + [base]))
    present = set(
        str(m['sAMAccountName'][0]).lower()
        for m in db.search(base=users_ou, scope=ldb.SCOPE_ONELEVEL, expression='(objectClass=user)', attrs=['sAMAccountName'])
    )
    missing = [s for s in (prefix + str(i).zfill(width) for i in range(1, count + 1)) if s not in present]
    t0 = time.time()
    for start in range(0, len(missing), per_transaction):
        db.transaction_start()
        try:
            for sam in missing[start : start + per_transaction]:
                db.add({
                    'dn': 'CN=%s,%s' % (sam, users_ou),
                    'objectClass': ['top', 'person', 'organizationalPerson', 'user'],
                    'sAMAccountName': sam,
                    # Disabled, no password: only their SIDs matter.
                    'userAccountControl': '514',
                })
        except BaseException:
            db.transaction_cancel()
            raise
        db.transaction_commit()
        done = min(start + per_transaction, len(missing))
        print(json.dumps({'created': done, 'missing': len(missing), 'ms': round((time.time() - t0) * 1000)}), flush=True)
    ms = round((time.time() - t0) * 1000)
    # The whole set with SIDs, read here rather than over LDAP (one paged search of 200,000 users ends in an
    # operations error on Samba 4.17).
    for m in db.search(base=users_ou, scope=ldb.SCOPE_ONELEVEL, expression='(objectClass=user)', attrs=['sAMAccountName', 'objectSid']):
        sid = str(ndr_unpack(security.dom_sid, m['objectSid'][0]))
        print(json.dumps({'user': [str(m['sAMAccountName'][0]), sid]}))
    print(json.dumps({'result': {'present': len(present), 'created': len(missing), 'ms': ms}}), flush=True)


main()
