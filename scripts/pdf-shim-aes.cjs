const unsupported = require('./pdf-shims.cjs').unsupported('PDF encryption')
module.exports = { cbc: unsupported, ecb: unsupported }
