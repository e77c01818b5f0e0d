// CommonJS entry point: the native binding (binding.js, napi's generated loader) with
// KeySet.verify's claims finished in JS (claims.js) and TokenAuthority.encode's claims handed over
// as arguments (encode.js).
'use strict';

require('./claims.js');
require('./encode.js');

module.exports = require('./binding.js');
