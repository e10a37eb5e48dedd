'use strict';
// Differential-test harness for crates/stj_connect/tests/atlassian_jwt_differential.rs.
// Reads one JSON request per stdin line and writes one JSON answer per stdout line, in order,
// computed by Atlassian's own atlassian-jwt package (pinned in package.json).
//
// Request:  {"method", "path", "query", "baseUrl"?, "secret"?, "verify"?: token, "sign"?: true, "iss"?}
// Answer:   {"pathname", "canonical", "qsh", "claims"? (verify ok), "verifyError"?, "token"? (sign)}
//           or {"error"} if the request could not be processed at all.
const readline = require('readline');
const jwt = require('atlassian-jwt');

function handle(line) {
  const req = JSON.parse(line);
  const url = req.query === '' ? req.path : `${req.path}?${req.query}`;
  const request = jwt.fromMethodAndUrl(req.method, url);
  const canonical = jwt.createCanonicalRequest(request, false, req.baseUrl);
  const qsh = jwt.createQueryStringHash(request, false, req.baseUrl);
  const out = { pathname: request.pathname, canonical, qsh };
  if (typeof req.verify === 'string') {
    try {
      out.claims = jwt.decodeSymmetric(req.verify, req.secret, jwt.SymmetricAlgorithm.HS256);
    } catch (e) {
      out.verifyError = String(e && e.message ? e.message : e);
    }
  }
  if (req.sign === true) {
    const iat = Math.floor(Date.now() / 1000);
    out.token = jwt.encodeSymmetric(
      { iss: req.iss || 'atlassian-jwt-harness', iat, exp: iat + 180, qsh },
      req.secret,
      jwt.SymmetricAlgorithm.HS256,
    );
  }
  return out;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const chunks = [];
rl.on('line', (line) => {
  let out;
  try {
    out = handle(line);
  } catch (e) {
    out = { error: String(e && e.stack ? e.stack : e) };
  }
  chunks.push(JSON.stringify(out));
});
rl.on('close', () => {
  process.stdout.write(chunks.length === 0 ? '' : `${chunks.join('\n')}\n`);
});
