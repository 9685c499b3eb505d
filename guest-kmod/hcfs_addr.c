// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs page cache: folios read with READs of up to io_max bytes (one per
 * folio, or runs for read-ahead), dirty folios written back in runs of
 * contiguous ones, each run one WRITE, through a handle that writes at
 * explicit offsets.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "hcfs.h"

static int hcfs_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	size_t len = folio_size(folio);
	struct hcfs_file *hf;
	struct iov_iter iter;
	ssize_t n;
	int err = 0;

	hf = hcfs_io_file(inode, file, FMODE_READ);
	if (IS_ERR(hf)) {
		err = PTR_ERR(hf);
		goto out;
	}
	iov_iter_xarray(&iter, ITER_DEST, &folio->mapping->i_pages,
			folio_pos(folio), len);
	n = hcfs_client_read(hf->conn, hf->handle, folio_pos(folio),
			     len, &iter);
	hcfs_file_put(hf);
	if (n < 0) {
		err = n;
		goto out;
	}
	iov_iter_zero(len - n, &iter);
	folio_mark_uptodate(folio);
out:
	folio_unlock(folio);
	return err;
}

/*
 * Read-ahead in READs of up to io_max bytes; the folios a failed READ
 * leaves are unlocked, not up to date, by the caller and read one by one
 * later.
 */
static void hcfs_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	size_t left = readahead_length(rac);
	loff_t pos = readahead_pos(rac);
	struct hcfs_file *hf;
	struct iov_iter iter;
	struct folio *folio;
	size_t len, got;
	ssize_t n;

	hf = hcfs_io_file(inode, rac->file, FMODE_READ);
	if (IS_ERR(hf))
		return;
	/* readahead_length() counts the last folio taken until the next */
	for (; left; pos += len, left -= len) {
		len = min(left, hf->conn->io_max);
		iov_iter_xarray(&iter, ITER_DEST, &rac->mapping->i_pages, pos,
				len);
		n = hcfs_client_read(hf->conn, hf->handle, pos, len, &iter);
		if (n < 0)
			break;
		iov_iter_zero(len - n, &iter);
		for (got = 0; got < len; got += folio_size(folio)) {
			folio = readahead_folio(rac);
			if (!folio)
				break;
			folio_mark_uptodate(folio);
			folio_unlock(folio);
		}
	}
	hcfs_file_put(hf);
}

/* Write @len bytes of @folio at @pos through a positional handle. */
static int hcfs_write_folio(struct inode *inode, struct folio *folio,
			    loff_t pos, size_t len)
{
	struct hcfs_inode *hi = HCFS_I(inode);
	struct hcfs_file *hf;
	struct iov_iter iter;
	unsigned int nofs;
	ssize_t n;

	nofs = memalloc_nofs_save();
	hf = hcfs_io_file(inode, NULL, FMODE_WRITE);
	if (IS_ERR(hf)) {
		n = PTR_ERR(hf);
		goto out;
	}
	iov_iter_xarray(&iter, ITER_SOURCE, &folio->mapping->i_pages, pos, len);
	n = hcfs_client_write(hf->conn, hf->handle, pos, len, &iter);
	hcfs_file_put(hf);
	if (n >= 0 && n < len)
		n = -EIO;
	spin_lock(&hi->lock);
	hi->own_change = true;
	spin_unlock(&hi->lock);
out:
	memalloc_nofs_restore(nofs);
	return n < 0 ? n : 0;
}

static int hcfs_writepage(struct page *page, struct writeback_control *wbc)
{
	struct folio *folio = page_folio(page);
	struct inode *inode = folio->mapping->host;
	loff_t pos = folio_pos(folio);
	loff_t size = i_size_read(inode);
	int err;

	if (pos >= size) {
		/* truncated meanwhile: nothing left to write */
		folio_unlock(folio);
		return 0;
	}
	folio_start_writeback(folio);
	folio_unlock(folio);
	err = hcfs_write_folio(inode, folio, pos,
			       min_t(loff_t, folio_size(folio), size - pos));
	if (err)
		mapping_set_error(folio->mapping, err);
	folio_end_writeback(folio);
	return err;
}

/*
 * Writeback gathers contiguous dirty folios (unlocked, under writeback) and
 * sends each run as one WRITE of up to io_max bytes.
 */
#define HCFS_WB_FOLIOS_MAX	(HC_DATA_MAX / PAGE_SIZE)

struct hcfs_wb {
	struct inode *inode;
	struct hcfs_file *hf;
	struct folio *folios[HCFS_WB_FOLIOS_MAX];
	unsigned int nr;
	loff_t pos;
	size_t len;
};

static void hcfs_wb_flush(struct hcfs_wb *wb)
{
	struct address_space *mapping = wb->inode->i_mapping;
	struct iov_iter iter;
	unsigned int i;
	ssize_t n;
	int err;

	if (!wb->nr)
		return;
	iov_iter_xarray(&iter, ITER_SOURCE, &mapping->i_pages, wb->pos,
			wb->len);
	n = hcfs_client_write(wb->hf->conn, wb->hf->handle, wb->pos,
			      wb->len, &iter);
	err = n < 0 ? n : n < wb->len ? -EIO : 0;
	if (err)
		mapping_set_error(mapping, err);
	for (i = 0; i < wb->nr; i++)
		folio_end_writeback(wb->folios[i]);
	wb->nr = 0;
	wb->len = 0;
}

static int hcfs_wb_add(struct folio *folio, struct writeback_control *wbc,
		       void *data)
{
	struct hcfs_wb *wb = data;
	loff_t pos = folio_pos(folio);
	loff_t size = i_size_read(wb->inode);
	size_t len;

	if (pos >= size) {
		/* truncated meanwhile: nothing left to write */
		folio_unlock(folio);
		return 0;
	}
	len = min_t(loff_t, folio_size(folio), size - pos);
	if (wb->nr && (pos != wb->pos + wb->len || wb->len % PAGE_SIZE ||
		       wb->nr == HCFS_WB_FOLIOS_MAX ||
		       wb->len + len > wb->hf->conn->io_max))
		hcfs_wb_flush(wb);
	if (!wb->nr)
		wb->pos = pos;
	folio_start_writeback(folio);
	folio_unlock(folio);
	wb->folios[wb->nr++] = folio;
	wb->len += len;
	return 0;
}

#ifdef HOSTCALL_HAVE_WRITEPAGE_T_FOLIO
static int hcfs_wb_add_cb(struct folio *folio, struct writeback_control *wbc,
			  void *data)
{
	return hcfs_wb_add(folio, wbc, data);
}
#else
static int hcfs_wb_add_cb(struct page *page, struct writeback_control *wbc,
			  void *data)
{
	return hcfs_wb_add(page_folio(page), wbc, data);
}
#endif

static int hcfs_writepages(struct address_space *mapping,
			   struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct hcfs_inode *hi = HCFS_I(inode);
	unsigned int nofs;
	struct hcfs_wb *wb;
	int err;

	nofs = memalloc_nofs_save();
	wb = kzalloc(sizeof(*wb), GFP_KERNEL);
	if (!wb) {
		err = -ENOMEM;
		goto out;
	}
	wb->inode = inode;
	wb->hf = hcfs_io_file(inode, NULL, FMODE_WRITE);
	if (IS_ERR(wb->hf)) {
		err = PTR_ERR(wb->hf);
		goto out_free;
	}
	err = write_cache_pages(mapping, wbc, hcfs_wb_add_cb, wb);
	hcfs_wb_flush(wb);
	hcfs_file_put(wb->hf);
	spin_lock(&hi->lock);
	hi->own_change = true;
	spin_unlock(&hi->lock);
out_free:
	kfree(wb);
out:
	memalloc_nofs_restore(nofs);
	return err;
}

/* Before a dirty folio is dropped (invalidate_inode_pages2()): write it. */
static int hcfs_launder_folio(struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	loff_t pos = folio_pos(folio);
	loff_t size = i_size_read(inode);

	if (!folio_clear_dirty_for_io(folio) || pos >= size)
		return 0;
	return hcfs_write_folio(inode, folio, pos,
			       min_t(loff_t, folio_size(folio), size - pos));
}

const struct address_space_operations hcfs_aops = {
	.read_folio	= hcfs_read_folio,
	.readahead	= hcfs_readahead,
	.writepage	= hcfs_writepage,
	.writepages	= hcfs_writepages,
	.dirty_folio	= filemap_dirty_folio,
	.launder_folio	= hcfs_launder_folio,
	/* O_DIRECT is allowed: hcfs_file_read_iter/write_iter serve it */
	.direct_IO	= noop_direct_IO,
};
