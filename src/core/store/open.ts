// The database with the query builder loaded: what the core and its tests use.
import './orm.js'

export { connect as openDb } from './connect.js'
export { type Db, first, type Orm, type Param } from './db.js'
