// Stand-ins in dist/pdfkit.cjs (scripts/build.mjs) for code wsb's invoices never
// run or that Node does natively, so loading pdfkit costs less:
// - tiny-inflate (raw DEFLATE in JavaScript: the Unicode tables unicode-properties,
//   linebreak and fontkit unpack as they load) → zlib, which is native;
// - brotli (WOFF2 fonts; wsb embeds TTF and OTF files only) and AES (encrypted
//   PDFs; wsb writes none): refuse if ever used.
const zlib = require('node:zlib')

/** tiny-inflate's contract: inflate raw DEFLATE `source` into `dest`; the filled part. */
exports.inflate = (source, dest) => {
  const out = zlib.inflateRawSync(source)
  if (out.length > dest.length) throw new Error('Data error')
  dest.set(out)
  return out.length < dest.length ? dest.subarray(0, out.length) : dest
}

exports.unsupported = (what) => () => {
  throw new Error(`${what} is not supported by wsb`)
}
