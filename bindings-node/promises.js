// Every call that returns a Promise reports its failures through it (decision
// node-promises-reject): napi converts the arguments, and the core checks them, before the Promise
// exists, so a wrong argument or receiver used to throw synchronously from a function typed to
// return a Promise, which a `.catch()` chain never sees. Each such call is wrapped so that what it
// would throw becomes a rejected Promise with the same error.
'use strict';

const binding = require('./binding.js');

// The Promise-returning members of index.d.ts (the Node suite checks that this covers them all).
const PROMISED = {
  CompositeProvider: ['verify', 'refresh', 'ready', 'jwks'],
  KeyRing: ['createNewKeyAsync', 'issueInstanceTokenAsync'],
  KeySource: ['load'],
  TokenAuthority: ['encodeAsync'],
};

const reject = Promise.reject.bind(Promise);

function rejecting(method, name) {
  const call = Function.prototype.call.bind(method);
  // A method definition keeps the name callers and stack traces see.
  return {
    [name](...args) {
      try {
        return call(this, ...args);
      } catch (error) {
        return reject(error);
      }
    },
  }[name];
}

for (const [className, names] of Object.entries(PROMISED)) {
  const prototype = binding[className].prototype;
  for (const name of names) {
    Object.defineProperty(prototype, name, {
      ...Object.getOwnPropertyDescriptor(prototype, name),
      value: rejecting(prototype[name], name),
    });
  }
}
binding.authenticate = rejecting(binding.authenticate, 'authenticate');
