// Username/password login with the official TS SDK (`account.login`), for test_login_parity.py.
// stdin: {"rest", "socket", "attempts": [{"username", "password", "testnet"}]}; argv[2]: the
// @sogni-ai/sogni-client package directory. stdout: one JSON list, per attempt either
// {"ok": true, "wallet", "loginUsername", "meUsername", "meWallet"} or
// {"ok": false, "status", "errorCode", "message"} (the SDK's ApiError). REST only (no socket).
// Our own harness code; it uses only the SDK's public API and never prints a password.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { SogniClient } = await import(
  pathToFileURL(join(process.argv[2], 'dist-esm', 'index.js')).href
);
const input = JSON.parse(readFileSync(0, 'utf8'));
const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
const out = [];
for (const attempt of input.attempts) {
  const client = await SogniClient.createInstance({
    restEndpoint: input.rest,
    socketEndpoint: input.socket,
    disableSocket: true,
    network: 'fast',
    testnet: attempt.testnet,
    logger: quiet
  });
  const wallet = client.account.getWallet(attempt.username, attempt.password).address;
  try {
    const login = await client.account.login(attempt.username, attempt.password);
    const me = await client.account.me();
    out.push({
      ok: true,
      wallet,
      loginUsername: login.username,
      meUsername: me.username,
      meWallet: me.walletAddress
    });
  } catch (error) {
    out.push({
      ok: false,
      wallet,
      status: error.status ?? null,
      errorCode: error.payload?.errorCode ?? null,
      message: String(error.message)
    });
  }
  client.dispose();
}
process.stdout.write(JSON.stringify(out));
