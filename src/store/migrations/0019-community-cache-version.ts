import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.ts'

/**
 * `communities.cache_version`: bumped by the database itself whenever a community's members,
 * their roles, its roles or its policies change (triggers), so that a process caching them (the
 * engine does) sees in one cheap read whether its copy is still current, whichever process or
 * tool made the change.
 */
const watched = ['members', 'member_roles', 'roles', 'policies'] as const

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('communities')
    .addColumn('cache_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  if (dialect === 'postgres') {
    await sql`
      create function policykit_bump_cache_version() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          update communities set cache_version = cache_version + 1 where id = old.community_id;
          return old;
        end if;
        update communities set cache_version = cache_version + 1 where id = new.community_id;
        if tg_op = 'UPDATE' and old.community_id <> new.community_id then
          update communities set cache_version = cache_version + 1 where id = old.community_id;
        end if;
        return new;
      end
      $$`.execute(db)
    for (const table of watched) {
      await sql`
        create trigger ${sql.id(`${table}_cache_version`)}
        after insert or update or delete on ${sql.table(table)}
        for each row execute function policykit_bump_cache_version()`.execute(db)
    }
    return
  }
  for (const table of watched) {
    for (const [event, row] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ] as const) {
      // An update moving a row to another community does not happen; old's community is bumped
      // too all the same.
      const also =
        event === 'update'
          ? sql`update communities set cache_version = cache_version + 1 where id = old.community_id and old.community_id <> new.community_id;`
          : sql``
      await sql`
        create trigger ${sql.id(`${table}_${event}_cache_version`)}
        after ${sql.raw(event)} on ${sql.table(table)}
        begin
          update communities set cache_version = cache_version + 1 where id = ${sql.raw(row)}.community_id;
          ${also}
        end`.execute(db)
    }
  }
}
