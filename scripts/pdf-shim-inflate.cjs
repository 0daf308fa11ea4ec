module.exports = require('./pdf-shims.cjs').inflate
