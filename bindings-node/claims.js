// KeySet.verify's claims as a JS object (decision perf-node-lists-apart). The addon's method
// returns the claims' text as signed with the lists the core takes apart (`scopes`, a list
// `aud`) written `0`, then one character per member taken (its id among the members this JS
// environment keeps) and one giving how many were taken. Here the rest is parsed and each taken
// member set to a copy of its kept list: an own member already, so it keeps its place and no
// setter runs, and the object is the one JSON.parse of the whole text gives.
'use strict';

const binding = require('./binding.js');

// Taken from the builtins as they are when the package loads.
const parse = JSON.parse;
const copy = Function.prototype.call.bind(Array.prototype.slice);
const [names, lists] = binding.__claimLists();
// Not part of the package's API.
delete binding.__claimLists;

function claims(text) {
  const end = text.length - 1;
  const start = end - text.charCodeAt(end);
  const object = parse(text.slice(0, start));
  for (let i = start; i < end; i++) {
    const id = text.charCodeAt(i);
    object[names[id]] = copy(lists[id]);
  }
  return object;
}

const { KeySet } = binding;
const claimsText = Function.prototype.call.bind(KeySet.prototype.verify);
Object.defineProperty(KeySet.prototype, 'verify', {
  ...Object.getOwnPropertyDescriptor(KeySet.prototype, 'verify'),
  value: function verify(token, audiences, options) {
    return claims(claimsText(this, token, audiences, options));
  },
});
