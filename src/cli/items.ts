// --item PRODUCT=QTY flags, validated once.
import { productQuantities } from '../core/schemas.js'

export const itemsFrom = (items: string[] | undefined): Record<string, number> | undefined =>
  items === undefined ? undefined : productQuantities(items, '--item')
