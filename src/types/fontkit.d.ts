// fontkit ships no types; wsb only asks a font which characters it has.
declare module 'fontkit' {
  export function openSync(path: string): unknown
}
