/*
 * scheduler_shmem.c
 *		The shared-memory area where the launcher, the per-database
 *		schedulers and the SQL functions that wake them meet.
 *
 * One slot per database the launcher knows of: its scheduler's state, pid
 * and latch, when an idle scheduler wants to be started again, and whether a
 * job change asked for it.  A single LWLock guards it all; every critical
 * section is a few assignments.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"

#include "scheduler/scheduler.h"

static SchedulerShared *shared = NULL;
static LWLock *shared_lock = NULL;

#define TRANCHE_NAME "datalayer_scheduler"

void
scheduler_shmem_request(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(SchedulerShared)));
	RequestNamedLWLockTranche(TRANCHE_NAME, 1);
}

void
scheduler_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("datalayer scheduler", sizeof(SchedulerShared), &found);
	if (!found)
		memset(shared, 0, sizeof(SchedulerShared));
	shared_lock = &(GetNamedLWLockTranche(TRANCHE_NAME))->lock;
	LWLockRelease(AddinShmemInitLock);
}

SchedulerShared *
scheduler_shared(void)
{
	return shared;
}

void
scheduler_lock(bool exclusive)
{
	LWLockAcquire(shared_lock, exclusive ? LW_EXCLUSIVE : LW_SHARED);
}

void
scheduler_unlock(void)
{
	LWLockRelease(shared_lock);
}

/* The slot of a database; with create, a free one is claimed.  Lock held. */
DatabaseSlot *
scheduler_slot_for(Oid dboid, bool create)
{
	DatabaseSlot *free_slot = NULL;
	int			i;

	for (i = 0; i < SCHEDULER_MAX_DATABASES; i++)
	{
		DatabaseSlot *slot = &shared->slots[i];

		if (slot->dboid == dboid)
			return slot;
		if (slot->dboid == InvalidOid && free_slot == NULL)
			free_slot = slot;
	}
	if (!create || free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(DatabaseSlot));
	free_slot->dboid = dboid;
	return free_slot;
}

/* job workers running in the whole cluster.  Lock held. */
int
scheduler_running_jobs_total(void)
{
	int			total = 0;
	int			i;

	for (i = 0; i < SCHEDULER_MAX_DATABASES; i++)
		if (shared->slots[i].dboid != InvalidOid)
			total += shared->slots[i].running_jobs;
	return total;
}

/*
 * Ask for the scheduler of a database to look at its jobs now: set its latch
 * if it runs, otherwise have the launcher start it.  Does nothing when the
 * library was not preloaded (there is no launcher then).
 */
void
scheduler_request_wake(Oid dboid)
{
	DatabaseSlot *slot;
	Latch	   *scheduler_latch = NULL;
	Latch	   *launcher_latch;

	if (shared == NULL)
		return;
	scheduler_lock(true);
	slot = scheduler_slot_for(dboid, true);
	if (slot != NULL)
	{
		slot->wake_requested = true;
		if (slot->state == DB_SCHEDULER_RUNNING)
			scheduler_latch = slot->latch;
	}
	launcher_latch = shared->launcher_latch;
	scheduler_unlock();

	if (scheduler_latch != NULL)
		SetLatch(scheduler_latch);
	else if (launcher_latch != NULL)
		SetLatch(launcher_latch);
}
