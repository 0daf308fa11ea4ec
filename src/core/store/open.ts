// The database with the query builder loaded: what the core and its tests use.
import './orm.js'

export { connect as openDb, type Db, type Orm } from './connect.js'
