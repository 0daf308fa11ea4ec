module.exports = require('./pdf-shims.cjs').unsupported('WOFF2 fonts')
