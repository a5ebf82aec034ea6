/**
 * The request/response client: {@link dev.netkit.netty.client.Broker} multiplexes many requests
 * per connection over wire format v1.
 */
package dev.netkit.netty.client;
