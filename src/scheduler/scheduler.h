/*
 * scheduler.h
 *		datalayer's job scheduler: a launcher background worker, one scheduler
 *		per database that has the extension, and one worker per job run.
 *
 * The launcher (launcher.c) watches pg_database and starts schedulers; a
 * scheduler (db_scheduler.c) reads datalayer.job, starts due runs and
 * records their outcomes; a job worker (job_worker.c) connects as the job's
 * owner and runs its command.  They meet in a small shared-memory area
 * (scheduler_shmem.c).
 */
#ifndef DATALAYER_SCHEDULER_H
#define DATALAYER_SCHEDULER_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "storage/latch.h"

/* settings */
extern bool datalayer_scheduler_enabled;
extern int	datalayer_max_job_workers;
extern int	datalayer_job_history_retention;	/* seconds */
extern int	datalayer_job_log_level;

/* The state of a database as the launcher sees it. */
typedef enum DatabaseSchedulerState
{
	DB_SCHEDULER_UNKNOWN = 0,	/* never probed */
	DB_SCHEDULER_STARTING,		/* a scheduler was started */
	DB_SCHEDULER_RUNNING,		/* a scheduler runs */
	DB_SCHEDULER_IDLE,			/* exited until next_wake: nothing due soon */
	DB_SCHEDULER_NO_EXTENSION	/* the database has no datalayer */
} DatabaseSchedulerState;

typedef struct DatabaseSlot
{
	Oid			dboid;			/* InvalidOid: free */
	DatabaseSchedulerState state;
	pid_t		pid;
	Latch	   *latch;			/* the scheduler's, while it runs */
	TimestampTz next_wake;		/* for DB_SCHEDULER_IDLE */
	bool		wake_requested; /* a job changed, or the extension was created */
	TimestampTz evicted_until;	/* DDL on the database: stay away until then */
	int			running_jobs;
} DatabaseSlot;

#define SCHEDULER_MAX_DATABASES 128

typedef struct SchedulerShared
{
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	DatabaseSlot slots[SCHEDULER_MAX_DATABASES];
} SchedulerShared;

/* scheduler_shmem.c */
extern void scheduler_shmem_request(void);
extern void scheduler_shmem_startup(void);
extern SchedulerShared *scheduler_shared(void);
extern void scheduler_lock(bool exclusive);
extern void scheduler_unlock(void);
extern DatabaseSlot *scheduler_slot_for(Oid dboid, bool create);
extern int	scheduler_running_jobs_total(void);
extern void scheduler_request_wake(Oid dboid);

/* database_ddl.c */
extern void scheduler_install_utility_hook(void);

/* launcher.c */
extern void scheduler_register_launcher(void);
extern PGDLLEXPORT void datalayer_launcher_main(Datum arg);

/* db_scheduler.c */
extern PGDLLEXPORT void datalayer_db_scheduler_main(Datum arg);

/* job_worker.c: what a scheduler tells a job worker, in bgw_extra */
typedef struct JobWorkerArgs
{
	Oid			dboid;
	Oid			owner;
	int64		job_id;
	TimestampTz planned_start;
	TimestampTz launched_at;
} JobWorkerArgs;

extern PGDLLEXPORT void datalayer_job_worker_main(Datum arg);

/* job_result.c: what a run reports about its work */
extern void job_result_add_rows(int64 rows);
extern void job_result_take(bool *rows_isnull, int64 *rows, char **detail);
extern void job_result_clear(void);

#endif							/* DATALAYER_SCHEDULER_H */
