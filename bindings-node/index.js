// CommonJS entry point: the native binding (binding.js, napi's generated loader) with
// KeySet.verify's claims finished in JS (claims.js), TokenAuthority.encode's claims handed over
// as arguments (encode.js) and Promise-returning calls that reject instead of throwing
// (promises.js).
'use strict';

require('./claims.js');
require('./encode.js');
require('./promises.js');

module.exports = require('./binding.js');
