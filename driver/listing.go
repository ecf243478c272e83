package driver

// PagesAhead is the optional interface of a backend whose user listing
// pages by number, so that the cursor of a page later than the next one
// is known before the pages between have arrived. The portable layer then
// fetches several pages of a listing at once, and still yields them in
// order; without it, it fetches at most the next page while the loop
// works on the current one.
//
// A page asked for ahead may be answered in another state of the listing
// than the page before it: a user created or deleted in between moves
// the pages, and an offset listing then repeats or skips a user. So that
// the portable layer can tell, a cursor should carry what the provider
// said of the listing when it was made (its total, say): a page asked for
// ahead whose NextCursor is not CursorAhead(cursor, 1) is asked for
// again, once the page before it is in hand.
//
// The empty cursor names the first page, before any answer: a cursor
// ahead of it is a guess made without the provider's word on the
// listing, and the portable layer asks for such pages together with the
// first (unless the listing is by email, username or query), then checks each
// answer against the cursor the first page's NextCursor names for it, as
// for any page asked for ahead. A backend whose request for a page needs
// something only the first answer gives returns ok false for it.
type PagesAhead interface {
	// CursorAhead returns the cursor of the page n pages (n >= 1) after
	// the page that cursor names, listed with opts; cursor is "" or one
	// the backend returned as a NextCursor. ok is false when the backend
	// cannot tell, or knows that the listing has no such page (a cursor
	// may carry how many pages the provider last said there are), so
	// that no request is made for a page past the end.
	CursorAhead(opts ListOptions, cursor string, n int) (next string, ok bool)
}

// ListingOrder is the optional interface of a backend whose provider
// pages by offset over a fixed order of users, newest first say, so that
// a user created while a listing runs moves every later user one place
// down and the last user of a page comes again at the top of the next.
// CompareListed orders two users as the provider's listing does (negative when
// a comes first), from fields of the users it returned, such as
// CreatedAt; users it cannot tell apart compare equal. The portable layer
// then drops, within one listing, every user that does not come after
// the last one it yielded, so that no user comes twice.
type ListingOrder interface {
	CompareListed(a, b *User) int
}
