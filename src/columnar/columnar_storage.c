/*
 * columnar_storage.c
 *		Row group bytes in the pages of a columnar relation file.
 *
 * A row group's bytes start on a fresh page and fill consecutive pages,
 * COLUMNAR_PAGE_CAPACITY bytes each, right after the page header; pd_lower
 * marks the end of the bytes, so the pages are standard pages (checksums,
 * and full-page images that leave out the unused tail).  Every page is
 * written through the buffer manager and WAL-logged as a full page image
 * when the relation needs WAL, which is all that crash recovery and
 * streaming standbys need: pages are never modified after they are written.
 *
 * A row group goes into free pages that VACUUM took back from deleted row
 * groups when a run of them is large enough (columnar_freespace.c);
 * otherwise its pages are appended under the relation extension lock, held
 * for the whole row group so that they are consecutive.  A writer that
 * aborts leaves its pages unreferenced; only a rewrite (VACUUM FULL) gives
 * appended ones back.
 */
#include "postgres.h"

#include "access/xloginsert.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/rel.h"

#include "columnar/columnar.h"

uint64
columnar_write_data(Relation rel, const char *data, uint64 len)
{
	uint64		written = 0;
	bool		needs_wal = RelationNeedsWAL(rel);
	uint64		nblocks = (len + COLUMNAR_PAGE_CAPACITY - 1) / COLUMNAR_PAGE_CAPACITY;
	BlockNumber first = InvalidBlockNumber;
	bool		append;

	if (nblocks < MaxBlockNumber)
		first = columnar_take_free_extent(rel, (BlockNumber) nblocks);
	append = first == InvalidBlockNumber;
	if (append)
		LockRelationForExtension(rel, ExclusiveLock);
	do
	{
		Buffer		buf;
		Page		page;
		uint32		n = (uint32) Min((uint64) COLUMNAR_PAGE_CAPACITY, len - written);
		BlockNumber blkno;

		CHECK_FOR_INTERRUPTS();
		if (append)
		{
			buf = ReadBufferExtended(rel, MAIN_FORKNUM, P_NEW, RBM_ZERO_AND_LOCK, NULL);
			blkno = BufferGetBlockNumber(buf);
			if (first == InvalidBlockNumber)
				first = blkno;
			else if (blkno != first + (written / COLUMNAR_PAGE_CAPACITY))
				elog(ERROR, "columnar table \"%s\" was extended by someone else while holding the extension lock",
					 RelationGetRelationName(rel));
		}
		else
			buf = ReadBufferExtended(rel, MAIN_FORKNUM,
									 first + (BlockNumber) (written / COLUMNAR_PAGE_CAPACITY),
									 RBM_ZERO_AND_LOCK, NULL);
		page = BufferGetPage(buf);

		START_CRIT_SECTION();
		PageInit(page, BLCKSZ, 0);
		memcpy(PageGetContents(page), data + written, n);
		((PageHeader) page)->pd_lower = SizeOfPageHeaderData + n;
		MarkBufferDirty(buf);
		if (needs_wal)
			log_newpage_buffer(buf, true);
		END_CRIT_SECTION();

		UnlockReleaseBuffer(buf);
		written += n;
	} while (written < len);
	if (append)
		UnlockRelationForExtension(rel, ExclusiveLock);
	return first;
}

static void
data_corrupt(Relation rel, const ColumnarRowGroup *rg, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar table \"%s\": row group at row " UINT64_FORMAT " is damaged",
					RelationGetRelationName(rel), rg->first_row),
			 errdetail("%s", what),
			 errhint("Restore the table from a backup.")));
}

/* len bytes at offset of rg's data into out */
void
columnar_read_data(Relation rel, const ColumnarRowGroup *rg, uint64 offset, uint32 len,
				   char *out, BlockNumber *nblocks_cache)
{
	uint64		done = 0;

	if (offset > rg->data_length || len > rg->data_length - offset)
		data_corrupt(rel, rg, "A column lies outside the row group's data.");
	while (done < len)
	{
		uint64		pos = offset + done;
		BlockNumber blkno = (BlockNumber) (rg->first_block + pos / COLUMNAR_PAGE_CAPACITY);
		uint32		in_page = (uint32) (pos % COLUMNAR_PAGE_CAPACITY);
		uint32		n = (uint32) Min((uint64) (COLUMNAR_PAGE_CAPACITY - in_page), len - done);
		Buffer		buf;
		Page		page;

		if (rg->first_block + pos / COLUMNAR_PAGE_CAPACITY >= MaxBlockNumber || blkno == 0)
			data_corrupt(rel, rg, "Its pages lie outside the relation file.");
		if (blkno >= *nblocks_cache)
		{
			*nblocks_cache = RelationGetNumberOfBlocks(rel);
			if (blkno >= *nblocks_cache)
				data_corrupt(rel, rg, psprintf("Block %u is beyond the end of the file (%u blocks).",
											   blkno, *nblocks_cache));
		}
		buf = ReadBuffer(rel, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (PageIsNew(page) || ((PageHeader) page)->pd_lower < SizeOfPageHeaderData + in_page + n)
		{
			UnlockReleaseBuffer(buf);
			data_corrupt(rel, rg, psprintf("Block %u holds fewer bytes than the row group needs.", blkno));
		}
		memcpy(out + done, PageGetContents(page) + in_page, n);
		UnlockReleaseBuffer(buf);
		done += n;
	}
}
