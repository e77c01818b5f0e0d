// ES module entry point: the same binding as the CommonJS entry (index.js, which re-exports napi's
// generated binding.js), whose named exports Node detects statically.
import binding from './index.js';

export * from './index.js';
export default binding;
