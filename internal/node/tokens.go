package node

import (
	"context"
	"strings"

	"github.com/fundledger/fundledger/api"
)

// openTokens opens the bearer tokens: on one server, the data dir's
// tokens.json; with an external NATS cluster, the bucket every server of
// the cluster shares (api.TokenBucket), so a token issued or revoked on
// one server holds on all of them.
//
// The first start of a data dir on a cluster copies its tokens.json into
// the bucket (tokens the bucket lacks, and revocations it lacks), so
// tokens issued while the server ran alone keep working on every server.
// The file is left as it was: a later start copies nothing the bucket
// already holds, and a revocation made in the cluster is never undone
// by it.
func (n *Node) openTokens(ctx context.Context, cfg Config, tokensFile string) (*api.Tokens, error) {
	if cfg.NATSURL == "" {
		return api.OpenTokens(tokensFile)
	}
	copts, err := cfg.NATSAuth.ConnectOptions()
	if err != nil {
		return nil, err
	}
	t, err := api.OpenTokensKV(ctx, api.TokensKVOptions{URL: cfg.NATSURL, Name: strings.TrimSpace("fundledger-tokens " + cfg.NodeName), Logger: cfg.Logger, ConnectOptions: copts})
	if err != nil {
		return nil, err
	}
	local, err := api.ReadTokensFile(tokensFile)
	if err == nil && len(local) > 0 {
		var copied int
		copied, err = t.Import(ctx, local)
		if copied > 0 {
			n.log.Info("tokens: copied this data dir's tokens.json into the cluster's bucket", "bucket", api.TokenBucket,
				"file", tokensFile, "records", copied, "in_file", len(local))
		}
	}
	if err != nil {
		_ = t.Close()
		return nil, err
	}
	return t, nil
}
