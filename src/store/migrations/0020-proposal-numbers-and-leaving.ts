import { sql, type Kysely } from 'kysely'
import type { Dialect } from '../store.ts'

/**
 * `proposals.number`: each community's proposals numbered 1, 2, 3… without gaps ("Proposal #3"
 * means the community's third), existing ones in id order. A new proposal takes 1 + the
 * community's highest, in its insert (proposal-repo.ts). SQLite runs one writer at a time, so
 * two inserts never read the same highest; PostgreSQL runs them side by side, each seeing its
 * own snapshot, so there a trigger recomputes the number after taking the community's row lock
 * (`for no key update`: it waits for another insert's transaction, not for foreign-key checks).
 * The unique index refuses a duplicate should anything else insert one.
 *
 * `members.left_at`: when a member left or was removed. The row stays, so the votes they cast
 * and the actions they proposed keep naming them; the store leaves them out of the community.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .addColumn('number', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await sql`
    update proposals set number = (
      select count(*) from proposals earlier
      where earlier.community_id = proposals.community_id and earlier.id <= proposals.id
    )`.execute(db)
  await db.schema
    .createIndex('proposals_community_number')
    .unique()
    .on('proposals')
    .columns(['community_id', 'number'])
    .execute()
  if (dialect === 'postgres') {
    await sql`
      create function policykit_number_proposal() returns trigger language plpgsql as $$
      begin
        perform 1 from communities where id = new.community_id for no key update;
        select coalesce(max(number), 0) + 1 into new.number from proposals where community_id = new.community_id;
        return new;
      end
      $$`.execute(db)
    await sql`
      create trigger proposals_number before insert on proposals
      for each row execute function policykit_number_proposal()`.execute(db)
  }
  await db.schema.alterTable('members').addColumn('left_at', 'bigint').execute()
}
