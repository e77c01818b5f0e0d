// CommonJS entry point: the native binding (binding.js, napi's generated loader) with
// KeySet.verify's claims finished in JS (claims.js).
'use strict';

require('./claims.js');

module.exports = require('./binding.js');
