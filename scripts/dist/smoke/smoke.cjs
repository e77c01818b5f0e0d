// Smoke test of the installed npm packages (make dist-check): catalog lookup, an issued token,
// and that token verified (and refused for another audience). Prints one line; throws on failure.
const assert = require("node:assert");
const { Catalog, KeyRing, KeySet } = require("@gitlab/cloud-connector");

const chat = Catalog.embedded().unitPrimitive("duo_chat");
assert.ok(chat, "duo_chat is in the catalog");

const subject = "00000000-0000-4000-8000-000000000001";
const ring = new KeyRing();
ring.createNewKey();
const { token, claims } = ring.issueInstanceToken({
  issuer: "https://gitlab.example", subject, realm: "self-managed", activeAddOns: ["duo_pro"],
});
assert.ok(claims.scopes.includes("duo_chat"), JSON.stringify(claims));
const keys = KeySet.fromJwks(ring.jwks());
assert.strictEqual(keys.verify(token, "gitlab-ai-gateway").sub, subject);
assert.throws(() => keys.verify(token, "someone-else"), (e) => Boolean(e.code));
const native = Object.keys(require.cache).find((f) => f.endsWith(".node"));
console.log(`smoke node (${process.arch}): catalog, issued and verified token: ok (${native})`);
