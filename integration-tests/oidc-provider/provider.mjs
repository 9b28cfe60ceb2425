// A real OpenID provider for BillTracker's single sign-on tests, built on
// the certified `oidc-provider` package with its development sign-in
// pages (any login name, no password check, then a consent page).
//
// Configured through the environment:
//   PORT            port on 127.0.0.1; the issuer is http://127.0.0.1:<PORT>
//   CLIENT_ID       the one client (client_secret_basic)
//   CLIENT_SECRET
//   REDIRECT_URIS   the client's registered redirect URIs, comma-separated
//   ACCOUNTS_FILE   JSON file: { "<login>": { "email", "email_verified",
//                   "name", "preferred_username", "groups": [...] } },
//                   read again at every lookup so a test can change groups
//                   between sign-ins
//   CLAIMS_ONLY_AT_USERINFO
//                   "true": the ID token carries only sub (and the protocol
//                   claims); the scopes' claims come from userinfo alone
//
// Prints "listening" once it accepts connections.
//
//   npm ci && PORT=4000 CLIENT_ID=bt CLIENT_SECRET=s REDIRECT_URIS=... \
//     ACCOUNTS_FILE=accounts.json node provider.mjs

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number(required('PORT'));
const clientId = required('CLIENT_ID');
const clientSecret = required('CLIENT_SECRET');
const redirectUris = required('REDIRECT_URIS').split(',').map((uri) => uri.trim());
const accountsFile = required('ACCOUNTS_FILE');

function readAccounts() {
  return JSON.parse(readFileSync(accountsFile, 'utf8'));
}

// A fresh signing key per run: nothing secret is kept in the repository.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['billtracker-oidc-test-provider'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  // By default the scopes' claims go into the ID token too, as most
  // providers do; the strict reading of the spec keeps them for userinfo.
  conformIdTokenClaims: process.env.CLAIMS_ONLY_AT_USERINFO === 'true',
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(readAccounts(), id)) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        const account = readAccounts()[id] ?? {};
        return { sub: id, ...account };
      },
    };
  },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(port, '127.0.0.1', () => {
  console.log('listening');
});
