package main

import (
	"fmt"
	"sync/atomic"
)

type shop struct{}

var audited atomic.Uint64

var prices = map[string]uint64{"tea": 350, "cake": 420, "scone": 275}

// Arguments are views into the shared request area, valid while the method runs.
func (shop) price(item *string) (uint64, error) {
	if p, ok := prices[*item]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("no such item: %q", *item)
}

func (shop) checkout(order *Order) Receipt {
	p := prices[order.item]
	line := fmt.Sprintf("[go] %d x %s @ %d", order.qty, order.item, p)
	return Receipt{id: order.id, total_cents: p * uint64(order.qty), lines: []string{line}}
}

func (shop) audit(line *string) {
	audited.Add(1)
	fmt.Printf("[go] audit: %s\n", *line)
}

func (shop) audited() uint64 { return audited.Load() }

func init() { ShopImpl = shop{} }
