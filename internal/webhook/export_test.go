package webhook

// OnClaim has f call claimed after each of its claims has returned, so
// that a test can wait for a FirstAttempts' first claim before it pushes.
// Set it before Run.
func OnClaim(f *FirstAttempts, claimed func()) { f.claimed = claimed }
