// TokenAuthority.encode's claims handed over as arguments (decision perf-node-encode-parts): the
// addon's `__encodeParts` takes the fields one by one and the scopes joined into one string,
// which saves an N-API conversion per scope. It is called only for claims of the types below;
// for anything else (a missing field, a number for a string, a hole in the scopes, extra claims,
// a scope holding the separator) the addon's `encode` runs as before and throws the same errors.
'use strict';

const binding = require('./binding.js');

// Taken from the builtins as they are when the package loads.
const isArray = Array.isArray;
const isFinite = Number.isFinite;
const join = Function.prototype.call.bind(Array.prototype.join);
const { TokenAuthority } = binding;
const encodeParts = Function.prototype.call.bind(TokenAuthority.prototype.__encodeParts);
const encodeWhole = Function.prototype.call.bind(TokenAuthority.prototype.encode);
// Not part of the package's API.
delete TokenAuthority.prototype.__encodeParts;

function allStrings(list) {
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'string') return false;
  }
  return true;
}

// The parts are taken when every field has a type the addon's `encode` converts without an
// error and whose conversion as an argument cannot fail either: a field's conversion error names
// the field (`... on UserTokenOptions.extraClaims`), an argument's would not, so
// `gitlabInstanceId` is a plain value here and `extraClaims` absent. Anything else goes to
// `encode`.
function takesParts(sub, gitlabRealm, gitlabInstanceId, scopes, duoSeatCount, extraClaims) {
  return (
    typeof sub === 'string' &&
    typeof gitlabRealm === 'string' &&
    plainValue(gitlabInstanceId) &&
    isArray(scopes) &&
    allStrings(scopes) &&
    (duoSeatCount === undefined || typeof duoSeatCount === 'string') &&
    extraClaims == null
  );
}

// A string, a finite number, a boolean or null: a JSON value as it is.
function plainValue(value) {
  return typeof value === 'string' || isFinite(value) || typeof value === 'boolean' || value === null;
}

Object.defineProperty(TokenAuthority.prototype, 'encode', {
  ...Object.getOwnPropertyDescriptor(TokenAuthority.prototype, 'encode'),
  value: function encode(serviceName, claims) {
    if (typeof serviceName === 'string' && typeof claims === 'object' && claims !== null) {
      const { sub, gitlabRealm, gitlabInstanceId, scopes, duoSeatCount, extraClaims } = claims;
      if (takesParts(sub, gitlabRealm, gitlabInstanceId, scopes, duoSeatCount, extraClaims)) {
        const encoded = encodeParts(
          this,
          serviceName,
          sub,
          gitlabRealm,
          gitlabInstanceId,
          join(scopes, '\0'),
          scopes.length,
          duoSeatCount,
        );
        if (encoded !== null) return encoded;
      }
    }
    return encodeWhole(this, serviceName, claims);
  },
});
